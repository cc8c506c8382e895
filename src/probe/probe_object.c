/* probe_object.c - the life of every probe object: allocation (shared
 * memory for CM_SHARED ones) and, for private ones, the fork registry. */
#include "probe.h"

#include "concmon/cmprobe.h"

void *probe_object_new(size_t size, int flags)
{
	cm_init();
	struct probe_head *h = probe_alloc(size, flags);
	h->size = size;
	h->flags = flags;
	return h;
}

void probe_object_ready(void *obj, probe_forked_fn *forked)
{
	struct probe_head *h = obj;
	if (!(h->flags & CM_SHARED))
		probe_obj_add(&h->obj, forked ? forked : probe_lock_forked);
}

void probe_object_free(void *obj)
{
	struct probe_head *h = obj;
	if (!h)
		return;
	if (!(h->flags & CM_SHARED))
		probe_obj_del(&h->obj);
	probe_dealloc(h, h->size, h->flags);
}
