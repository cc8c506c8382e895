/* trace_real.h - force-included (-include) into the probe's sources when
 * they are compiled into libconcmon-trace.so: their own pthread and
 * semaphore calls go straight to libc (through trace_real.c), so the
 * tracer never traces the probe's internal locks, nor the cm_* objects a
 * Python layer makes through the same library. Only macros: it is read
 * before any system header. */
#ifndef CONCMON_TRACE_REAL_H
#define CONCMON_TRACE_REAL_H

#define pthread_mutex_init cmtrace_real_mutex_init
#define pthread_mutex_destroy cmtrace_real_mutex_destroy
#define pthread_mutex_lock cmtrace_real_mutex_lock
#define pthread_mutex_trylock cmtrace_real_mutex_trylock
#define pthread_mutex_unlock cmtrace_real_mutex_unlock
#define pthread_cond_init cmtrace_real_cond_init
#define pthread_cond_destroy cmtrace_real_cond_destroy
#define pthread_cond_wait cmtrace_real_cond_wait
#define pthread_cond_signal cmtrace_real_cond_signal
#define pthread_cond_broadcast cmtrace_real_cond_broadcast
#define sem_init cmtrace_real_sem_init
#define sem_destroy cmtrace_real_sem_destroy
#define sem_wait cmtrace_real_sem_wait
#define sem_trywait cmtrace_real_sem_trywait
#define sem_post cmtrace_real_sem_post

#endif
