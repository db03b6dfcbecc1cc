// Placeholder: analytics tests land here.
#include <gtest/gtest.h>
