// Placeholder: SQL for the lead area lands here.
#pragma once
