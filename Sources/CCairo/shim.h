#ifndef PAIRBOOK_CCAIRO_SHIM_H
#define PAIRBOOK_CCAIRO_SHIM_H
#include <cairo.h>
#include <cairo-pdf.h>
#endif
