// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("vfioscope: skeleton\n", stderr);
	return 1;
}
