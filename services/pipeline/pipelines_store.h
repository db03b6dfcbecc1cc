// Placeholder: SQL for pipelines, stages and settings lands here.
#pragma once
