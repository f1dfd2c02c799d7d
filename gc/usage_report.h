/*
 * usage_report.h — the GLEANER_STATS=2 report printed at exit
 * (usage_report.c): what is still in the heap, what is still reachable
 * and from where, fragmentation, and the pause summary.
 */
#ifndef GLEANER_USAGE_REPORT_H
#define GLEANER_USAGE_REPORT_H
#include <stdio.h>

void usage_report_print(FILE *out);
#endif
