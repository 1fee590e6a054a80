// SPDX-License-Identifier: GPL-2.0
/* The hypervisor's log: the public console ring, mirrored to the system config's UART. */
#include <bulkhead-hv/cell.h>
#include <bulkhead-hv/console-ring.h>
#include <bulkhead-hv/memory.h>
#include <bulkhead-hv/printk.h>
#include <bulkhead-hv/spinlock.h>

/* 8250 registers and bits. */
#define UART_TRANSMIT		0
#define UART_DIVISOR_LOW	0
#define UART_INTERRUPT_ENABLE	1
#define UART_DIVISOR_HIGH	1
#define UART_LINE_CONTROL	3
#define UART_LINE_STATUS	5
#define UART_LCR_8N1		0x03
#define UART_LCR_DLAB		0x80
#define UART_LSR_THR_EMPTY	(1U << 5)
/* About 1 ms at 115200 baud per character: the UART may be absent, never wait forever. */
#define UART_POLL_LIMIT		100000

static uint16_t uart_port;
static uint32_t console_lock;

static inline void outb(uint16_t port, uint8_t value)
{
	asm volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t value;

	asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static void uart_putc(char c)
{
	unsigned int polls = 0;

	while (!(inb(uart_port + UART_LINE_STATUS) & UART_LSR_THR_EMPTY) &&
	       polls++ < UART_POLL_LIMIT)
		asm volatile("pause");
	outb(uart_port + UART_TRANSMIT, (uint8_t)c);
}

/* 8 data bits, no parity, one stop bit, the config's divisor, no interrupts. */
static void uart_init(uint32_t divider)
{
	outb(uart_port + UART_INTERRUPT_ENABLE, 0);
	outb(uart_port + UART_LINE_CONTROL, UART_LCR_DLAB);
	outb(uart_port + UART_DIVISOR_LOW, (uint8_t)divider);
	outb(uart_port + UART_DIVISOR_HIGH, (uint8_t)(divider >> 8));
	outb(uart_port + UART_LINE_CONTROL, UART_LCR_8N1);
}

/* Only a port-mapped 8250 is mirrored. */
void console_init(void)
{
	const struct bulkhead_console *uart = &root_cell.config.system->debug_console;
	struct bulkhead_public *header = public_header();

	header->console_size = BULKHEAD_CONSOLE_SIZE;
	if (uart->type == BULKHEAD_CONSOLE_UART_8250 &&
	    !(uart->flags & BULKHEAD_CONSOLE_FLAG_MMIO) && uart->address < 0xfff8) {
		uart_port = (uint16_t)uart->address;
		uart_init(uart->divider ? uart->divider : 1);
	}
}

/* console_lock is held for one printk() line: the ring, and each byte polled UART_POLL_LIMIT times at most. */
void console_write(const char *text, size_t length)
{
	struct bulkhead_public *header = public_header();
	size_t i;

	spin_lock(&console_lock);
	console_ring_write(header, public_console(), text, length);
	for (i = 0; uart_port && i < length; i++) {
		if (text[i] == '\n')
			uart_putc('\r');
		uart_putc(text[i]);
	}
	spin_unlock(&console_lock);
}

void printk(const char *format, ...)
{
	char line[256];
	va_list args;
	size_t length;

	va_start(args, format);
	length = format_string(line, sizeof(line), format, args);
	va_end(args);
	console_write(line, length);
}
