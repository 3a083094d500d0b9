// libwebp decoder and demuxer (animated WebP: first frame).
#include <webp/decode.h>
#include <webp/demux.h>
