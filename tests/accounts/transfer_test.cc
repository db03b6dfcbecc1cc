// Placeholder: transfer tests land here.
#include <gtest/gtest.h>
