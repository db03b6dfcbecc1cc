// Placeholder: SQL for the order area lands here.
#pragma once
