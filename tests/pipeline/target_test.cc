// Placeholder: target tests land here.
#include <gtest/gtest.h>
