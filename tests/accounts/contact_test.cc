// Placeholder: contact tests land here.
#include <gtest/gtest.h>
