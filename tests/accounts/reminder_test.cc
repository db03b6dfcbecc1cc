// Placeholder: reminder tests land here.
#include <gtest/gtest.h>
