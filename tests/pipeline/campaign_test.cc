// Placeholder: campaign tests land here.
#include <gtest/gtest.h>
