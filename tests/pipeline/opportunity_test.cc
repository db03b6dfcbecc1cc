// Placeholder: opportunity tests land here.
#include <gtest/gtest.h>
