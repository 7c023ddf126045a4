// SPDX-License-Identifier: MIT
/* LAN9118 driver: frames move between lwIP's pbufs and the controller's FIFOs
 * a 32-bit word at a time; the controller keeps a status word per received
 * frame (its length, CRC included, and error bits) and takes a two-word
 * command before each frame to send. */
#include "lan9118.h"

#include <string.h>

#include "board.h"
#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

#define LAN9118 0x40200000u
#define REG(offset) (*(volatile uint32_t*)(LAN9118 + (offset)))

#define RX_DATA_FIFO 0x00u
#define TX_DATA_FIFO 0x20u
#define RX_STATUS_FIFO 0x40u
#define TX_STATUS_FIFO 0x48u
#define ID_REV 0x50u
#define IRQ_CFG 0x54u
#define INT_STS 0x58u
#define INT_EN 0x5cu
#define BYTE_TEST 0x64u
#define FIFO_INT 0x68u
#define RX_CFG 0x6cu
#define TX_CFG 0x70u
#define HW_CFG 0x74u
#define RX_FIFO_INF 0x7cu
#define TX_FIFO_INF 0x80u
#define PMT_CTRL 0x84u
#define MAC_CSR_CMD 0xa4u
#define MAC_CSR_DATA 0xa8u

#define IRQ_CFG_ENABLE_HIGH_PUSH_PULL 0x111u /* IRQ_EN, active high, push-pull */
#define INT_RX_STATUS_LEVEL 0x8u             /* RSFL: a received frame waits */
#define HW_CFG_SOFT_RESET 0x1u
#define PMT_CTRL_READY 0x1u
#define TX_CFG_ON_AND_STATUS_OVERRUN 0x6u /* TX_ON, and no stall on a full status FIFO */
#define TX_CMD_A_FIRST_AND_LAST 0x3000u
#define RX_STATUS_ERROR 0x8000u
#define MAC_CSR_BUSY 0x80000000u
#define MAC_CSR_READ 0x40000000u
#define MAC_CR 1u
#define MAC_ADDRH 2u
#define MAC_ADDRL 3u
#define MAC_MII_ACC 6u
#define MAC_MII_DATA 7u
#define MAC_CR_TXEN 0x8u
#define MAC_CR_RXEN 0x4u
#define MAC_CR_FULL_DUPLEX 0x100000u
#define PHY_ADDRESS 1u
#define PHY_BASIC_STATUS 1u
#define PHY_LINK_UP 0x4u
#define NVIC_ENABLE 0xE000E100u
#define ETHERNET_IRQ 13u
#define LINK_CHECK_MS 50u
#define FRAMES_PER_POLL 16
#define FRAME_MAX 1518u

static unsigned dropped;

static uint32_t mac_read(uint32_t index) {
  REG(MAC_CSR_CMD) = MAC_CSR_BUSY | MAC_CSR_READ | index;
  while (REG(MAC_CSR_CMD) & MAC_CSR_BUSY) {
  }
  return REG(MAC_CSR_DATA);
}

static void mac_write(uint32_t index, uint32_t value) {
  REG(MAC_CSR_DATA) = value;
  REG(MAC_CSR_CMD) = MAC_CSR_BUSY | index;
  while (REG(MAC_CSR_CMD) & MAC_CSR_BUSY) {
  }
}

static uint32_t phy_read(uint32_t reg) {
  mac_write(MAC_MII_ACC, (PHY_ADDRESS << 11) | (reg << 6) | 1u);
  while (mac_read(MAC_MII_ACC) & 1u) {
  }
  return mac_read(MAC_MII_DATA) & 0xffffu;
}

/* Copies a pbuf chain into the transmit FIFO, four bytes per write, whatever
 * the pbufs' lengths and alignment. */
static err_t transmit(struct netif* netif, struct pbuf* p) {
  (void)netif;
  const uint32_t length = p->tot_len;
  const uint32_t words = (length + 3u) / 4u;
  if (length > FRAME_MAX) return ERR_VAL;
  // Room for the two command words and the frame; QEMU's FIFO sends at once,
  // a real one drains at line rate, so the wait is short and bounded.
  const uint32_t start = board_millis();
  while ((REG(TX_FIFO_INF) & 0xffffu) < (words + 2u) * 4u) {
    if (board_millis() - start > 10u) return ERR_MEM;
  }
  REG(TX_DATA_FIFO) = TX_CMD_A_FIRST_AND_LAST | length;
  REG(TX_DATA_FIFO) = (length << 16) | length;  // tag (the length) and packet length
  uint32_t word = 0;
  unsigned filled = 0;
  for (struct pbuf* q = p; q != NULL; q = q->next) {
    const uint8_t* bytes = (const uint8_t*)q->payload;
    for (uint16_t i = 0; i < q->len; ++i) {
      word |= (uint32_t)bytes[i] << (8u * filled);
      if (++filled == 4u) {
        REG(TX_DATA_FIFO) = word;
        word = 0;
        filled = 0;
      }
    }
  }
  if (filled != 0u) REG(TX_DATA_FIFO) = word;
  return ERR_OK;
}

static void discard_words(uint32_t words) {
  while (words-- > 0u)
    (void)REG(RX_DATA_FIFO);
}

/* Reads one received frame of `length` bytes (CRC excluded) into a pbuf. */
static struct pbuf* receive(uint32_t length, uint32_t words) {
  struct pbuf* p = pbuf_alloc(PBUF_RAW, (u16_t)length, PBUF_POOL);
  if (p == NULL) {
    discard_words(words);
    return NULL;
  }
  uint32_t word = 0;
  unsigned left_in_word = 0;
  for (struct pbuf* q = p; q != NULL; q = q->next) {
    uint8_t* bytes = (uint8_t*)q->payload;
    for (uint16_t i = 0; i < q->len; ++i) {
      if (left_in_word == 0u) {
        word = REG(RX_DATA_FIFO);
        --words;
        left_in_word = 4u;
      }
      bytes[i] = (uint8_t)word;
      word >>= 8;
      --left_in_word;
    }
  }
  discard_words(words);  // the CRC's word(s)
  return p;
}

err_t lan9118_netif_init(struct netif* netif) {
  if (REG(BYTE_TEST) != 0x87654321u) return ERR_IF;
  REG(HW_CFG) = HW_CFG_SOFT_RESET;
  const uint32_t start = board_millis();
  while ((REG(HW_CFG) & HW_CFG_SOFT_RESET) || !(REG(PMT_CTRL) & PMT_CTRL_READY)) {
    if (board_millis() - start > 100u) return ERR_IF;
  }
  const uint32_t low = mac_read(MAC_ADDRL), high = mac_read(MAC_ADDRH);
  netif->hwaddr_len = ETH_HWADDR_LEN;
  for (unsigned i = 0; i < 4u; ++i)
    netif->hwaddr[i] = (uint8_t)(low >> (8u * i));
  netif->hwaddr[4] = (uint8_t)high;
  netif->hwaddr[5] = (uint8_t)(high >> 8);
  netif->name[0] = 'e';
  netif->name[1] = 'n';
  netif->mtu = 1500;
  netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
  netif->output = etharp_output;
  netif->linkoutput = transmit;

  REG(TX_CFG) = TX_CFG_ON_AND_STATUS_OVERRUN;
  REG(RX_CFG) = 0;  // no offset, no end padding
  // Own address and broadcast only (the reset value receives everything).
  mac_write(MAC_CR, MAC_CR_TXEN | MAC_CR_RXEN | MAC_CR_FULL_DUPLEX);
  REG(FIFO_INT) = 0;  // interrupt as soon as one frame's status waits
  REG(INT_STS) = 0xffffffffu;
  REG(IRQ_CFG) = IRQ_CFG_ENABLE_HIGH_PUSH_PULL;
  REG(INT_EN) = INT_RX_STATUS_LEVEL;
  *(volatile uint32_t*)NVIC_ENABLE = 1u << ETHERNET_IRQ;
  if (phy_read(PHY_BASIC_STATUS) & PHY_LINK_UP) netif->flags |= NETIF_FLAG_LINK_UP;
  return ERR_OK;
}

void lan9118_interrupt(void) {
  // Only wake the main loop: the receive interrupt stays masked until
  // lan9118_poll() has read what waits, or its level would fire again at once.
  REG(INT_EN) = 0;
}

void lan9118_poll(struct netif* netif) {
  static uint32_t last_link_check;
  if (board_millis() - last_link_check >= LINK_CHECK_MS) {
    last_link_check = board_millis();
    const int up = (phy_read(PHY_BASIC_STATUS) & PHY_LINK_UP) != 0;
    if (up && !netif_is_link_up(netif)) netif_set_link_up(netif);
    if (!up && netif_is_link_up(netif)) netif_set_link_down(netif);
  }
  for (int frame = 0; frame < FRAMES_PER_POLL && (REG(RX_FIFO_INF) >> 16) & 0xffu; ++frame) {
    const uint32_t status = REG(RX_STATUS_FIFO);
    const uint32_t with_crc = (status >> 16) & 0x3fffu;
    const uint32_t words = (with_crc + 3u) / 4u;
    if ((status & RX_STATUS_ERROR) || with_crc < 4u + 14u || with_crc > FRAME_MAX + 4u) {
      discard_words(words);
      ++dropped;
      continue;
    }
    struct pbuf* p = receive(with_crc - 4u, words);
    if (p == NULL) {
      ++dropped;
      continue;
    }
    if (netif->input(p, netif) != ERR_OK) {
      pbuf_free(p);
      ++dropped;
    }
  }
  REG(INT_STS) = INT_RX_STATUS_LEVEL;
  REG(INT_EN) = INT_RX_STATUS_LEVEL;  // the level fires again if frames still wait
}

unsigned lan9118_dropped(void) {
  return dropped;
}
