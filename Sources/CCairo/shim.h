#ifndef PAIRBOOK_CCAIRO_SHIM_H
#define PAIRBOOK_CCAIRO_SHIM_H
#include <cairo.h>
#include <cairo-pdf.h>
/* zlib (a dependency of cairo's PNG support) for Charts' fast PNG encoder. */
#include <zlib.h>
#endif
