// SPDX-License-Identifier: GPL-2.0
/* The hypervisor's page pool and address translation. */
#include <bulkhead-hv/cell.h>
#include <bulkhead-hv/memory.h>

struct page_pool hv_pool;
uint8_t *public_area;

/* The public area first: every CPU's record lives there, from its first step on. */
void memory_init_public(void)
{
	public_area = memory_at(image_header.public_offset);
}

void memory_init(void)
{
	hv_pool.virt = memory_at(image_header.page_pool_offset);
	hv_pool.phys = image_header.memory_phys + image_header.page_pool_offset;
	hv_pool.pages = (image_header.memory_size - image_header.page_pool_offset) / PAGE_SIZE;
	hv_pool.used = image_header.page_pool_used;
}

void *page_alloc(void)
{
	void *page = paging_alloc_table(&hv_pool);

	public_header()->pool_used = cells_pool_used();
	return page;
}

uint64_t virt_to_phys(const void *address)
{
	return (uint64_t)address - BULKHEAD_BASE + image_header.memory_phys;
}
