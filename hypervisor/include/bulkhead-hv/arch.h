/* SPDX-License-Identifier: GPL-2.0 */
/* Hooks the core calls into the architecture code; nothing else crosses. */
#ifndef BULKHEAD_HV_ARCH_H
#define BULKHEAD_HV_ARCH_H

#include <bulkhead-hv/cell.h>
#include <bulkhead-hv/percpu.h>

/* Switches this CPU to the hypervisor's GDT and IDT and records what it found. */
void arch_cpu_enter(struct per_cpu *cpu, uint64_t own_page_table_root);
/* Proves the hypervisor's IDT handles an exception on this CPU. */
int arch_cpu_test_exception(struct per_cpu *cpu);
/* Builds what isolates the root cell (EPT, bitmaps); once, before any CPU launches. */
int arch_cell_init(struct cell *cell);
/* Calibrates the TSC and maps what moving CPUs between cells needs; once. */
int arch_init_control(void);
/*
 * Turns the Linux that called the entry into the root cell's guest on this
 * CPU.  Returns only on failure, with VMX left and the CPU as it was.
 */
int arch_cpu_activate(struct per_cpu *cpu, uint64_t linux_cr3);
/* Puts Linux's CR4, GDT and IDT back (after a failed activation). */
void arch_cpu_leave(struct per_cpu *cpu);
/* Leaves VMX and resumes Linux on the bare CPU where it made the disable hypercall. */
void arch_cpu_deactivate(struct per_cpu *cpu) __attribute__((noreturn));
/* Stops this CPU for good after a failure the log explains. */
void arch_cpu_park(struct per_cpu *cpu) __attribute__((noreturn));
/* Disable: a root CPU Linux has offline leaves VMX and halts for INIT. */
int arch_cpu_hand_back(unsigned int cpu);
uint64_t arch_read_timestamp(void);
/* TSC frequency in kHz, calibrated against the PM timer at setup (0 if unknown). */
uint32_t arch_tsc_khz(void);
/* The local APIC timer's rate at divide-by-1, as calibrated at enable; 0 if unknown. */
uint32_t arch_apic_timer_khz(void);

/*
 * Cells.  arch_cell_create() builds the cell's maps and takes its memory and
 * ports from the root cell, or fails changing nothing; arch_cell_destroy()
 * gives them back.  The CPU hooks move a cell's CPUs between Linux's offline
 * loop, waiting in the hypervisor, and running the inmate; released, they
 * wait in the hypervisor for Linux's INIT and startup IPI, which start
 * Linux there as the root cell's guest again.  Each waits for the CPUs a
 * bounded time (one deadline for all of them).
 */
int arch_cell_create(struct cell *cell);
void arch_cell_destroy(struct cell *cell);
int arch_cell_set_loadable(struct cell *cell, bool loadable);
int arch_cell_take_cpus(struct cell *cell);
void arch_cell_start_cpus(struct cell *cell);
int arch_cell_stop_cpus(struct cell *cell);
int arch_cell_release_cpus(struct cell *cell);

#endif
