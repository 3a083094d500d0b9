// libjpeg-turbo. jpeglib.h needs stdio.h (FILE) and size_t declared first.
#include <stdio.h>
#include <stddef.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>
