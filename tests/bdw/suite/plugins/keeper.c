/*
 * keeper.c — a plugin, loaded with dlopen at run time, that keeps the only
 * reference to its data in its own global variables.  The collector must
 * find the plugin's data segment (unless the program set GC_no_dls).
 */
#include <gc.h>

struct node {
  struct node *next;
  long value;
};

static struct node *kept;       /* the only reference to the list */
static GC_hidden_pointer watch; /* cleared by the collector if it dies */

/* watch: also register a disappearing link that tells whether the list
 * died. */
void keeper_fill(long n, int watch_it) {
  struct node *head = NULL;
  for (long i = 1; i <= n; i++) {
    struct node *c = GC_NEW(struct node);
    c->value = i;
    c->next = head;
    head = c;
  }
  kept = head;
  if (watch_it) {
    watch = GC_HIDE_POINTER(head);
    GC_general_register_disappearing_link((void **)&watch, head);
  }
}

int keeper_alive(void) { return watch != 0; }

long keeper_sum(void) {
  long s = 0;
  for (struct node *c = kept; c; c = c->next)
    s += c->value;
  return s;
}
