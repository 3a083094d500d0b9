// libpng 1.6 (simplified and progressive APIs).
#include <png.h>
