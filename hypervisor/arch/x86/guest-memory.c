// SPDX-License-Identifier: GPL-2.0
/* Reading a guest's memory: a per-CPU window remapped to the page, through the guest's EPT and its own page tables. */
#include <bulkhead-hv/arch.h>
#include <bulkhead-hv/errno.h>
#include <bulkhead-hv/memory.h>
#include <asm/ept.h>
#include <asm/guest-memory.h>
#include <asm/guest-paging.h>
#include <asm/processor.h>
#include <asm/vmcs.h>
#include <asm/vmx-cpu.h>

void *memcpy(void *destination, const void *source, size_t size);

/* The windows lie 2 MiB above the hypervisor's memory, past the local APIC page. */
#define WINDOW_OFFSET		0x200000ULL

static uint64_t window_virt(unsigned int cpu)
{
	return BULKHEAD_BASE + image_header.memory_size + WINDOW_OFFSET + (uint64_t)cpu * PAGE_SIZE;
}

/* Makes every CPU's window entry now, so that mapping a page later allocates nothing. */
int guest_memory_init(void)
{
	uint64_t *root = (uint64_t *)memory_at(image_header.page_pool_offset);
	unsigned int cpu;

	for (cpu = 0; cpu < image_header.max_cpus; cpu++) {
		per_cpu_of(cpu)->arch.window_entry = paging_leaf_entry(&hv_pool, root,
								       window_virt(cpu));
		if (!per_cpu_of(cpu)->arch.window_entry)
			return trace_error(-ENOMEM);
	}
	return 0;
}

static void invalidate(uint64_t virt)
{
	asm volatile("invlpg (%0)" : : "r"(virt) : "memory");
}

/* The cell's EPT for @guest_phys: host-physical page, readable, write-back (never a device). */
static bool host_page_of(const struct cell *cell, uint64_t guest_phys, uint64_t *host_phys)
{
	const struct page_pool *pool = cell == &root_cell ? &hv_pool : &cell->pool;
	uint64_t flags;

	return ept_translate(pool, cell->arch.ept_root, guest_phys & ~(PAGE_SIZE - 1), host_phys,
			     &flags) &&
	       (flags & EPT_READ) && (flags & EPT_MEMORY_TYPE_MASK) == EPT_MEMORY_TYPE_WB;
}

/*
 * Copies @size bytes of the guest-physical page holding @guest_phys (not
 * past its end) into @buffer, read-only and no-execute through this CPU's
 * window.  False when the memory is not the guest's RAM.
 */
static bool read_page(struct per_cpu *cpu, uint64_t guest_phys, void *buffer, size_t size)
{
	uint64_t host_phys, virt = window_virt(cpu->cpu_id);

	if (!host_page_of(cpu->cell, guest_phys, &host_phys))
		return false;
	*cpu->arch.window_entry = host_phys | PAGING_PRESENT | PAGING_NO_EXECUTE;
	invalidate(virt);
	memcpy(buffer, (const void *)(virt + (guest_phys & (PAGE_SIZE - 1))), size);
	*cpu->arch.window_entry = 0;
	invalidate(virt);
	return true;
}

/* @size bytes of the guest's RAM at @guest_phys, inside one page; false where it has none. */
bool guest_read_phys(struct per_cpu *cpu, uint64_t guest_phys, void *buffer, size_t size)
{
	if ((guest_phys & (PAGE_SIZE - 1)) + size > PAGE_SIZE)
		return false;
	return read_page(cpu, guest_phys, buffer, size);
}

static bool read_entry(void *context, uint64_t guest_phys, uint64_t *value)
{
	return read_page(context, guest_phys, value, sizeof(*value));
}

static unsigned int guest_maxphyaddr(void)
{
	unsigned int width = cpuid(0x80000000, 0).eax >= 0x80000008 ?
			      cpuid(0x80000008, 0).eax & 0xff : 36;

	return width < 32 ? 32 : width;
}

/* The guest's linear @linear as guest-physical, through the paging mode its VMCS fields say. */
static int guest_linear_to_phys(struct per_cpu *cpu, uint64_t linear, uint64_t *guest_phys)
{
	struct guest_paging_state state = {
		.cr0 = vmcs_read_natural(VMCS_GUEST_CR0),
		.cr3 = vmcs_read_natural(VMCS_GUEST_CR3),
		.cr4 = vmcs_read_natural(VMCS_GUEST_CR4),
		.efer = vmcs_read64(VMCS_GUEST_EFER),
		.maxphyaddr = guest_maxphyaddr(),
	};

	return guest_translate(&state, linear, read_entry, cpu, guest_phys);
}

/*
 * Up to @size bytes of the guest's code at its current CS:RIP, page by
 * page; returns how many could be read (0 when none).
 */
unsigned int guest_fetch_instruction(struct per_cpu *cpu, uint8_t *bytes, unsigned int size)
{
	uint64_t linear = vmcs_read_natural(VMCS_GUEST_CS_BASE) +
			  vmcs_read_natural(VMCS_GUEST_RIP);
	unsigned int done = 0;

	while (done < size) {
		uint64_t guest_phys, in_page = PAGE_SIZE - ((linear + done) & (PAGE_SIZE - 1));
		unsigned int chunk = size - done < in_page ? size - done : (unsigned int)in_page;

		if (guest_linear_to_phys(cpu, linear + done, &guest_phys) ||
		    !read_page(cpu, guest_phys, bytes + done, chunk))
			break;
		done += chunk;
	}
	return done;
}
