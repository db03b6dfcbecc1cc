// Placeholder: SQL for the target area lands here.
#pragma once
