// libtiff 4.
#include <tiffio.h>
