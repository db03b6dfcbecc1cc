// Placeholder: SQL for the analytics area lands here.
#pragma once
