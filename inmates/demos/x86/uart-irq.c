// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* uart-irq: the 8250 on COM2 in interrupt mode through IOAPIC pin 3, its interrupts counted and the cell's VM exits around them. */
#include <inmate.h>
#include <cpu.h>
#include <vmcall.h>

#define NAME		"uart-irq"
#define UART		0x2f8		/* COM2 */
#define UART_PIN	3		/* its ISA IRQ, IOAPIC pin 3 */
#define UART_VECTOR	0x23

/* 8250 registers and bits: interrupt enable, identification, modem control, line status. */
#define UART_DATA	0
#define UART_IER	1
#define UART_IIR	2
#define UART_MCR	4
#define UART_LSR	5
#define IER_RECEIVE	0x01
#define IER_THRE	0x02
#define IIR_NONE	0x01
#define IIR_ID(iir)	(((iir) >> 1) & 7)
#define IIR_THRE	1
#define IIR_RECEIVE	2
#define IIR_TIMEOUT	6
#define LSR_DATA	0x01
#define MCR_OUT2	0x08		/* gates the UART's interrupt line on PCs */

/* Exit reasons counted by CPU get info at 1000 + reason (Documentation/hypercalls.md). */
#define EXIT_REASONS	72
#define EXIT_VMCALL	18

static volatile uint32_t thre_count, receive_count;
static char line[96];
static volatile unsigned int line_length, line_sent;

/* Sends the next byte of the line, or stops the transmit interrupt when it is out. */
static void uart_interrupt(unsigned int vector)
{
	uint8_t iir;

	(void)vector;
	while (!((iir = inb(UART + UART_IIR)) & IIR_NONE)) {
		if (IIR_ID(iir) == IIR_THRE) {
			thre_count++;
			if (line_sent < line_length)
				outb(UART + UART_DATA, (uint8_t)line[line_sent++]);
		} else if (IIR_ID(iir) == IIR_RECEIVE || IIR_ID(iir) == IIR_TIMEOUT) {
			receive_count++;
			while (inb(UART + UART_LSR) & LSR_DATA)
				(void)inb(UART + UART_DATA);
		} else {
			(void)inb(UART + UART_LSR);
		}
	}
}

/*
 * The cell CPU's VM exits, by the hypervisor's own counters: every reason
 * but VMCALL summed, and VMCALL alone, read last (each question is a VMCALL).
 */
static void exits_now(uint64_t *others, uint64_t *vmcalls)
{
	unsigned int reason;
	long value;

	*others = 0;
	for (reason = 0; reason < EXIT_REASONS; reason++) {
		value = hypercall2(BULKHEAD_HC_CPU_GET_INFO, cpu_id(), 1000 + reason);
		if (reason != EXIT_VMCALL && value > 0)
			*others += (uint64_t)value;
	}
	*vmcalls = (uint64_t)hypercall2(BULKHEAD_HC_CPU_GET_INFO, cpu_id(), 1000 + EXIT_VMCALL);
}

/* One line out through the transmit interrupt: the first byte here, the rest by the handler. */
static void send_line(unsigned int number)
{
	line_length = (unsigned int)format_snprintf(line, sizeof(line),
						    NAME ": line %u by interrupt, %u interrupts so far\n",
						    number, thre_count + receive_count);
	line_sent = 1;
	outb(UART + UART_DATA, (uint8_t)line[0]);
	while (line_sent < line_length)
		cpu_wait_for_interrupt();
}

/* The VMCALLs after @vmcalls_before beyond @expected questions: exits of the inmate's own making. */
static uint64_t vmcalls_since(uint64_t vmcalls_before, uint64_t expected)
{
	uint64_t now = (uint64_t)hypercall2(BULKHEAD_HC_CPU_GET_INFO, cpu_id(), 1000 + EXIT_VMCALL);

	return now - vmcalls_before - expected;
}

void inmate_main(void)
{
	long long lines = cmdline_parse_int("lines", 20);
	uint64_t others_before, vmcalls_before, others_after, vmcalls_after, per_question, extra;
	unsigned int i;

	if (lines < 1 || lines > 10000)
		lines = 20;
	printk(NAME ": hello from CPU %u; COM2 on IOAPIC pin %u, vector 0x%x\n", cpu_id(), UART_PIN,
	       UART_VECTOR);
	irq_register(UART_VECTOR, uart_interrupt);
	/* Destination first, then the low half that unmasks: edge, fixed, physical. */
	ioapic_pin_set(UART_PIN, cpu_id(), UART_VECTOR);
	/* How much one question adds to the VMCALL count, so that the count after leaves it out. */
	exits_now(&others_before, &vmcalls_before);
	per_question = vmcalls_since(vmcalls_before, 0);
	vmcalls_before += per_question;

	outb(UART + UART_MCR, inb(UART + UART_MCR) | MCR_OUT2);
	outb(UART + UART_IER, IER_THRE | IER_RECEIVE);
	irq_enable();
	for (i = 1; i <= lines; i++)
		send_line(i);
	irq_disable();
	outb(UART + UART_IER, 0);

	extra = vmcalls_since(vmcalls_before, per_question);
	exits_now(&others_after, &vmcalls_after);
	printk(NAME ": %u interrupts (%u transmit, %u receive), %lu VM exits between the first and the last\n",
	       thre_count + receive_count, thre_count, receive_count,
	       others_after - others_before + extra);
	for (;;) {
		comm_answer_shutdown(NAME, SHUTDOWN_APPROVE);
		cpu_relax();
	}
}
