#ifndef KEYFLOW_CEDITLINE_SHIM_H
#define KEYFLOW_CEDITLINE_SHIM_H
#include <stdio.h>
#include <editline/readline.h>
#include <histedit.h>
#endif
