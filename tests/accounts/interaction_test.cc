// Placeholder: interaction tests land here.
#include <gtest/gtest.h>
