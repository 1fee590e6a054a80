// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Polled output on an 8250/16550 UART, port-mapped or memory-mapped. */
#include "console.h"
#include "cpu.h"

#define UART_TX		0	/* transmit holding register */
#define UART_DLL	0	/* divisor latch, low byte (DLAB 1) */
#define UART_IER	1	/* interrupt enable */
#define UART_DLM	1	/* divisor latch, high byte (DLAB 1) */
#define UART_FCR	2	/* FIFO control */
#define UART_LCR	3	/* line control */
#define UART_MCR	4	/* modem control */
#define UART_LSR	5	/* line status */

#define UART_LCR_8N1	0x03
#define UART_LCR_DLAB	0x80
#define UART_FCR_ENABLE_CLEAR	0x07
#define UART_MCR_DTR_RTS	0x03
#define UART_LSR_THRE	0x20

/* Enough polls for a character at 300 baud on real hardware; a missing UART does not hang us. */
#define UART_TX_POLLS	1000000

static void uart_write_reg(const struct uart_config *uart, unsigned int reg, uint8_t value)
{
	switch (uart->access) {
	case UART_PIO: outb((uint16_t)(uart->address + reg), value); break;
	case UART_MMIO8: mmio_write8(uart->address + reg, value); break;
	case UART_MMIO32: mmio_write32(uart->address + reg * 4, value); break;
	case UART_NONE: break;
	}
}

static uint8_t uart_read_reg(const struct uart_config *uart, unsigned int reg)
{
	switch (uart->access) {
	case UART_PIO: return inb((uint16_t)(uart->address + reg));
	case UART_MMIO8: return mmio_read8(uart->address + reg);
	case UART_MMIO32: return (uint8_t)mmio_read32(uart->address + reg * 4);
	case UART_NONE: break;
	}
	return UART_LSR_THRE;
}

/* 8 data bits, no parity, one stop bit, FIFOs on, polled (no interrupts). */
void uart_init(const struct uart_config *uart)
{
	if (uart->access == UART_NONE || uart->divider == 0)
		return;
	uart_write_reg(uart, UART_LCR, UART_LCR_DLAB);
	uart_write_reg(uart, UART_DLL, (uint8_t)uart->divider);
	uart_write_reg(uart, UART_DLM, (uint8_t)(uart->divider >> 8));
	uart_write_reg(uart, UART_LCR, UART_LCR_8N1);
	uart_write_reg(uart, UART_IER, 0);
	uart_write_reg(uart, UART_FCR, UART_FCR_ENABLE_CLEAR);
	uart_write_reg(uart, UART_MCR, UART_MCR_DTR_RTS);
}

void uart_putc(const struct uart_config *uart, char c)
{
	unsigned int polls = UART_TX_POLLS;

	if (uart->access == UART_NONE)
		return;
	while (!(uart_read_reg(uart, UART_LSR) & UART_LSR_THRE) && --polls)
		cpu_relax();
	uart_write_reg(uart, UART_TX, (uint8_t)c);
}
