/*
 * record.c - stream and event records that outlive their destroy, so that a destroyed
 * handle is recognised (EINVAL) instead of touching freed memory.
 *
 * A record is never returned to malloc: destroy marks it dead and queues it, and create
 * reuses the oldest dead record only once RETIRED_KEPT others wait behind it. A handle used
 * after its destroy therefore points at a dead record until that many more were destroyed
 * (released buffers are recognised the same way, by their block's reference count).
 */
#include "core.h"

#include <stdlib.h>
#include <string.h>

#define RETIRED_KEPT 64

void *pymic2__record_new(pymic2__record_list *list, size_t size, unsigned magic)
{
    pymic2__record *record = NULL;
    pthread_mutex_lock(&list->lock);
    if (list->count > RETIRED_KEPT) {
        record = list->head;
        list->head = record->next_retired;
        list->count--;
    }
    pthread_mutex_unlock(&list->lock);
    if (record == NULL)
        record = malloc(size);
    if (record == NULL)
        return NULL;
    memset(record, 0, size);
    atomic_store(&record->magic, magic);
    return record;
}

void pymic2__record_kill(pymic2__record *record)
{
    atomic_store(&record->magic, 0);
}

void pymic2__record_retire(pymic2__record_list *list, pymic2__record *record)
{
    pymic2__record_kill(record);
    record->next_retired = NULL;
    pthread_mutex_lock(&list->lock);
    if (list->head == NULL)
        list->head = record;
    else
        list->tail->next_retired = record;
    list->tail = record;
    list->count++;
    pthread_mutex_unlock(&list->lock);
}

bool pymic2__record_live(const pymic2__record *record, unsigned magic)
{
    return atomic_load(&record->magic) == magic;
}
