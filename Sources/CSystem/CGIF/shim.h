// giflib 5.
#include <gif_lib.h>
