// Placeholder: pipelines tests land here.
#include <gtest/gtest.h>
