#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the fuzzer's seed corpus: one input per violation class the ring
walk detects, plus valid chains. Layout: see fuzz_ring.c."""
import os
import struct
import sys

BUF = 0x20000
NEXT, WRITE, INDIRECT = 1, 2, 4
EVENT_IDX, IND, IN_ORDER, WARN = 1, 2, 4, 8
BLK, SET_INDICES = 0x10, 0x20          # more feat bits: see fuzz_hdr
GAP, SHORT_R2 = 0x01, 0x40             # layout bits
def OOO(w): return (w - 1) << 1         # out-of-order window w (2..8)
def BUDGET(b): return {1: 1, 2: 2, 4: 3}[b] << 4   # chains per run


def seed(name, descs=(), avail=(), ind=(), log2num=4, feat=0, layout=0,
         start_avail=0, start_used=0, avail_idx=None, rewrites=(), rounds=0,
         avail_flags=0, used_event=0):
    num = 1 << log2num
    if avail_idx is None:
        avail_idx = (start_avail + len(avail)) & 0xffff
    out = struct.pack('<BBBBHHHHHH', log2num, feat, layout, len(rewrites),
                      start_avail, start_used, avail_idx, avail_flags,
                      used_event, rounds)
    table = bytearray(num * 16)
    for i, (addr, ln, fl, nx) in descs:
        struct.pack_into('<QIHH', table, i * 16, addr & (2**64 - 1), ln, fl, nx)
    ring = bytearray(num * 2)
    for k, head in enumerate(avail):
        struct.pack_into('<H', ring, ((start_avail + k) % num) * 2, head)
    itab = bytearray(512)
    for i, (addr, ln, fl, nx) in ind:
        struct.pack_into('<QIHH', itab, i * 16, addr, ln, fl, nx)
    out += bytes(table) + bytes(ring) + bytes(itab)
    for at, target, off, val in rewrites:
        out += struct.pack('<HBBHH', at, target, 0, off, val)
    return name, out


def seeds():
    ok = [(0, (BUF + 0x1000, 64, NEXT, 1)), (1, (BUF + 0x1100, 64, WRITE, 0))]
    yield seed('valid', ok, [0])
    yield seed('valid_wrap', ok, [0, 0], start_avail=0xfffe, start_used=0xfffe,
               rounds=0x11)
    yield seed('valid_event_idx', ok, [0], feat=EVENT_IDX, used_event=0)
    yield seed('valid_indirect', [(0, (BUF, 32, INDIRECT, 0))], [0], feat=IND,
               ind=[(0, (BUF + 0x1000, 8, NEXT, 1)), (1, (BUF + 0x2000, 8, WRITE, 0))])
    yield seed('valid_split', [(0, (BUF + 0x10000 - 32, 64, 0, 0))], [0])
    yield seed('avail_idx_jump', ok, [0], avail_idx=17)
    yield seed('avail_idx_back', ok, [0], start_avail=5, avail_idx=4)
    yield seed('head_range', ok, [16])
    yield seed('next_range', [(0, (BUF, 8, NEXT, 20))], [0])
    yield seed('loop', [(0, (BUF, 8, NEXT, 1)), (1, (BUF, 8, NEXT, 0))], [0])
    chain = [(i, (BUF + 0x1000, 8, NEXT, i + 1)) for i in range(14)]
    chain.append((14, (BUF, 48, INDIRECT, 0)))
    yield seed('chain_len', chain, [0], feat=IND,
               ind=[(0, (BUF + 0x1000, 8, NEXT, 1)), (1, (BUF + 0x1000, 8, NEXT, 2)),
                    (2, (BUF + 0x1000, 8, 0, 0))])
    yield seed('zero_len', [(0, (BUF, 0, 0, 0))], [0])
    yield seed('zero_len_warn', [(0, (BUF, 0, NEXT, 1)), (1, (BUF, 8, 0, 0))], [0],
               feat=WARN)
    yield seed('addr_wrap', [(0, (2**64 - 16, 32, 0, 0))], [0])
    yield seed('addr_unmapped', [(0, (0x50000, 32, 0, 0))], [0])
    yield seed('addr_gap', [(0, (BUF + 0x10000 - 32, 64, 0, 0))], [0], layout=1)
    yield seed('indirect_feature', [(0, (BUF, 32, INDIRECT, 0))], [0])
    yield seed('indirect_nested', [(0, (BUF, 32, INDIRECT, 0))], [0], feat=IND,
               ind=[(0, (BUF + 0x1000, 8, NEXT, 1)), (1, (BUF, 32, INDIRECT, 0))])
    yield seed('indirect_next', [(0, (BUF, 32, INDIRECT | NEXT, 1))], [0], feat=IND)
    yield seed('indirect_len', [(0, (BUF, 24, INDIRECT, 0))], [0], feat=IND)
    yield seed('indirect_loop', [(0, (BUF, 32, INDIRECT, 0))], [0], feat=IND,
               ind=[(0, (BUF + 0x1000, 8, NEXT, 1)), (1, (BUF + 0x1000, 8, NEXT, 0))])
    yield seed('write_order', [(0, (BUF, 8, WRITE | NEXT, 1)), (1, (BUF, 8, 0, 0))], [0])
    big = [(i, (BUF + 0x1000, 8, NEXT, i + 1)) for i in range(1100)]
    yield seed('too_many_segs', big, [0], log2num=11)
    yield seed('head_in_flight', [(0, (BUF, 8, 0, 0))], [0, 0])
    yield seed('used_written', ok, [0], rewrites=[(1, 3, 0, 5)])
    yield seed('in_order', [(0, (BUF, 8, 0, 0)), (5, (BUF, 8, 0, 0))], [0, 5],
               feat=IN_ORDER)
    # the driver rewrites the length of desc 0 while the device walks it
    yield seed('toctou_len', ok, [0], rewrites=[(3, 0, 8, 0), (4, 0, 8, 0xffff)])
    # reads of the device loop (no EVENT_IDX): 1 used.flags, 2 used.idx,
    # 3 avail.idx, 4 avail.ring[0], 5-8 desc 0, 9-12 desc 1, 13-14 used[0]
    yield seed('used_elem_written', ok, [0], rewrites=[(13, 3, 4, 7)])
    yield seed('toctou_next', ok, [0], rewrites=[(9, 0, 14, 0), (9, 0, 12, 5)])
    yield seed('used_written_warn', ok, [0, 0], feat=WARN, rewrites=[(1, 3, 2, 9)])
    yield seed('used_written_event_idx', ok, [0], feat=EVENT_IDX,
               rewrites=[(1, 3, 6 + 8 * 16, 3)])
    yield seed('zero_len_warn_twice', [(0, (BUF, 0, NEXT, 1)), (1, (BUF, 0, NEXT, 2)),
                                       (2, (BUF, 8, 0, 0))], [0], feat=WARN)
    yield seed('no_interrupt', ok, [0], avail_flags=1)
    yield seed('indirect_addr_wrap', [(0, (2**64 - 16, 32, INDIRECT, 0))], [0], feat=IND)
    yield seed('indirect_unmapped', [(0, (0x50000, 32, INDIRECT, 0))], [0], feat=IND)
    yield seed('indirect_next_range', [(0, (BUF, 32, INDIRECT, 0))], [0], feat=IND,
               ind=[(0, (BUF + 0x1000, 8, NEXT, 2))])
    # the behaviour (blk) rejects a chain with no writable byte
    rd = [(0, (BUF + 0x1000, 16, 0, 0))]
    yield seed('bad_request', rd, [0], feat=BLK)
    yield seed('bad_request_warn', rd + [(1, (BUF + 0x1000, 16, 0, 0))], [0, 1],
               feat=BLK | WARN)
    many = [(i, (BUF + 0x100 * i, 64, WRITE, 0)) for i in range(16)]
    yield seed('ooo_window', many, list(range(16)), layout=OOO(4))
    yield seed('budget', many, list(range(16)), layout=BUDGET(2), rounds=3)
    yield seed('budget_ooo', many, list(range(16)), layout=BUDGET(4) | OOO(3),
               rounds=3 | (4 << 2))
    yield seed('set_indices', ok, [0], feat=SET_INDICES | EVENT_IDX,
               used_event=0xfff0, rounds=3 | (1 << 2))
    yield seed('reset_after_violation', ok, [16], feat=SET_INDICES,
               rounds=2 | (1 << 2))
    # a buffer across regions 1 and 2 where region 2 is short, and one
    # running off its end
    yield seed('short_region', [(0, (BUF + 0x10000 - 32, 64, 0, 1 | 0)),
                                (1, (BUF + 0x10000 + 0x1000 - 8, 8, WRITE, 0))],
               [0], layout=SHORT_R2)
    yield seed('short_region_end', [(0, (BUF + 0x10000 + 0x1000 - 8, 16, 0, 0))],
               [0], layout=SHORT_R2)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else 'corpus'
    os.makedirs(out, exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
