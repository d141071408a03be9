#ifndef PAIRBOOK_CPANGOCAIRO_SHIM_H
#define PAIRBOOK_CPANGOCAIRO_SHIM_H
#include <pango/pangocairo.h>
#endif
