// Placeholder: activity tests land here.
#include <gtest/gtest.h>
