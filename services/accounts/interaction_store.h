// Placeholder: SQL for interactions lands here.
#pragma once
