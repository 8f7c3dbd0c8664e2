"""Writes default-format flow logs that the project's generator would never write.

The benchmark's own files come from `flowlog-gen`, whose traffic is realistic: a few
hundred interfaces talking to a few thousand addresses. A file made by someone else is
often simpler and harder: addresses drawn at random, so that nearly every record holds two
addresses seen nowhere else. This script writes such files, to run the side-by-side
benchmark on (`cargo xtask bench-web --file PATH`):

    python3 bench/random_flows.py --records 1000000 --addresses random target/bench/random-1000000.log
    python3 bench/random_flows.py --records 1000000 --addresses private target/bench/private-1000000.log

`random`: both addresses uniform over all of IPv4 (reserved ranges included), ports and
sizes uniform. `private`: the source one of 1,024 addresses in 10.0.0.0/22 and the
destination one of 4,096 in 172.31.0.0/20, so that few addresses make nearly a million
pairs. Both: 50 interfaces, one record in a hundred a NODATA record, a third REJECT.
The same seed writes the same bytes.
"""

import argparse
import random

HEADER = (
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol"
    " packets bytes start end action log-status\n"
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--addresses", choices=["random", "private"], default="random")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("out")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    interfaces = ["eni-%017x" % rng.getrandbits(68) for _ in range(50)]
    ports = [443, 80, 22, 3389, 53]
    start = 1_700_000_000

    def address(first, second, third=None):
        """An address of the first two octets given, the third too if given."""
        third = rng.randrange(256) if third is None else third
        return "%d.%d.%d.%d" % (first, second, third, rng.randrange(256))

    with open(args.out, "w") as out:
        out.write(HEADER)
        for n in range(args.records):
            at = start + n // 1000
            interface = rng.choice(interfaces)
            if rng.random() < 0.01:
                out.write(f"2 123456789012 {interface} - - - - - - - {at} {at + 60} - NODATA\n")
                continue
            if args.addresses == "random":
                src = address(rng.randrange(256), rng.randrange(256))
                dst = address(rng.randrange(256), rng.randrange(256))
            else:
                src = address(10, 0, rng.randrange(4))
                dst = address(172, 31, rng.randrange(16))
            dstport = rng.choice(ports + [rng.randrange(65536)])
            protocol = rng.choice([6, 6, 17, 1])
            packets = rng.randrange(1, 5000)
            size = rng.randrange(40, 10**7)
            action = rng.choice(["ACCEPT", "ACCEPT", "REJECT"])
            out.write(
                f"2 123456789012 {interface} {src} {dst} {rng.randrange(65536)} {dstport}"
                f" {protocol} {packets} {size} {at} {at + rng.randrange(1, 60)} {action} OK\n"
            )


if __name__ == "__main__":
    main()
