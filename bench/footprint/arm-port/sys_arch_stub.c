// SPDX-License-Identifier: MIT
/* Link-only stand-ins for the RTOS port (lwIP's sys_arch) and the thread
 * pointer, so bench/footprint.sh can link the Cortex-M4 echo server with
 * --gc-sections and read its real size. Never run: a device links its RTOS's
 * port instead, whose size belongs to the RTOS. Each is the smallest body
 * that links. */
#include "lwip/sys.h"

void sys_init(void) {}
const void* sys_current_task(void) {
  static const char the_only_task = 0;
  return &the_only_task;
}
u32_t sys_now(void) {
  return 0;
}
err_t sys_sem_new(sys_sem_t* sem, u8_t count) {
  (void)sem;
  (void)count;
  return ERR_OK;
}
void sys_sem_free(sys_sem_t* sem) {
  (void)sem;
}
void sys_sem_signal(sys_sem_t* sem) {
  (void)sem;
}
u32_t sys_arch_sem_wait(sys_sem_t* sem, u32_t timeout) {
  (void)sem;
  (void)timeout;
  return 0;
}
err_t sys_mutex_new(sys_mutex_t* m) {
  (void)m;
  return ERR_OK;
}
void sys_mutex_free(sys_mutex_t* m) {
  (void)m;
}
void sys_mutex_lock(sys_mutex_t* m) {
  (void)m;
}
void sys_mutex_unlock(sys_mutex_t* m) {
  (void)m;
}
err_t sys_mbox_new(sys_mbox_t* mb, int size) {
  (void)mb;
  (void)size;
  return ERR_OK;
}
void sys_mbox_free(sys_mbox_t* mb) {
  (void)mb;
}
void sys_mbox_post(sys_mbox_t* mb, void* msg) {
  (void)mb;
  (void)msg;
}
err_t sys_mbox_trypost(sys_mbox_t* mb, void* msg) {
  (void)mb;
  (void)msg;
  return ERR_OK;
}
err_t sys_mbox_trypost_fromisr(sys_mbox_t* mb, void* msg) {
  (void)mb;
  (void)msg;
  return ERR_OK;
}
u32_t sys_arch_mbox_fetch(sys_mbox_t* mb, void** msg, u32_t t) {
  (void)mb;
  (void)msg;
  (void)t;
  return 0;
}
u32_t sys_arch_mbox_tryfetch(sys_mbox_t* mb, void** msg) {
  (void)mb;
  (void)msg;
  return 0;
}
sys_thread_t sys_thread_new(const char* name, lwip_thread_fn fn, void* arg, int stack, int prio) {
  (void)name;
  (void)fn;
  (void)arg;
  (void)stack;
  (void)prio;
  return NULL;
}
sys_prot_t sys_arch_protect(void) {
  return 0;
}
void sys_arch_unprotect(sys_prot_t p) {
  (void)p;
}
void sys_lock_tcpip_core(void) {}
void sys_unlock_tcpip_core(void) {}
void sys_check_core_locking(void) {}
void sys_mark_tcpip_thread(void) {}
static char thread_block[64];
void* __aeabi_read_tp(void) {
  return thread_block;
}
