// Placeholder: SQL for activitys lands here.
#pragma once
