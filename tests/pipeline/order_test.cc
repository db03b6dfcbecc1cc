// Placeholder: order tests land here.
#include <gtest/gtest.h>
