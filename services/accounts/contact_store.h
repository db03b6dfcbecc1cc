// Placeholder: SQL for contacts lands here.
#pragma once
