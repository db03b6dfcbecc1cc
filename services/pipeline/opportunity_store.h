// Placeholder: SQL for the opportunity area lands here.
#pragma once
