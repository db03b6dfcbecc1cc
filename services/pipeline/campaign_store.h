// Placeholder: SQL for the campaign area lands here.
#pragma once
