// Placeholder: lead tests land here.
#include <gtest/gtest.h>
