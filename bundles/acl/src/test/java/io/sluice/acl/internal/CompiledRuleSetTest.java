package io.sluice.acl.internal;

import io.sluice.acl.api.Acl;
import io.sluice.acl.api.AclAction;
import io.sluice.acl.api.AclRule;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The bit-vector classifier against a plain first-match scan, on random rules and packets. */
class CompiledRuleSetTest {

    private static boolean covers(AclRule r, int src, int dst, int proto, int sport, int dport, int flags) {
        return (src & AclRule.prefixMask(r.sourcePrefixLength())) == r.sourceAddress()
                && (dst & AclRule.prefixMask(r.destinationPrefixLength())) == r.destinationAddress()
                && (r.protocol() == 0 || r.protocol() == proto)
                && sport >= r.sourcePortFirst() && sport <= r.sourcePortLast()
                && dport >= r.destinationPortFirst() && dport <= r.destinationPortLast()
                && (flags & r.tcpFlagsMask()) == r.tcpFlagsValue();
    }

    private static AclRule randomRule(Random random) {
        int[] protocols = {0, 1, 6, 17};
        int protocol = protocols[random.nextInt(protocols.length)];
        int srcLength = random.nextInt(4) * 8 + random.nextInt(2) * 4;
        int dstLength = random.nextInt(5) * 8;
        int src = (0x0a000000 | random.nextInt(1 << 16) << 8) & AclRule.prefixMask(srcLength);
        int dst = (0x0a000000 | random.nextInt(1 << 16) << 8) & AclRule.prefixMask(dstLength);
        int max = protocol == 1 ? 255 : 65535;
        int sportLo = random.nextBoolean() ? 0 : random.nextInt(max);
        int sportHi = random.nextBoolean() ? max : sportLo + random.nextInt(max - sportLo + 1);
        int dportLo = random.nextBoolean() ? 0 : random.nextInt(max);
        int dportHi = random.nextBoolean() ? dportLo : dportLo + random.nextInt(max - dportLo + 1);
        int mask = protocol == 6 && random.nextInt(4) == 0 ? 0x12 : 0;
        int value = mask == 0 ? 0 : random.nextBoolean() ? 0x02 : 0x12;
        AclAction action = AclAction.values()[random.nextInt(3)];
        return new AclRule(action, src, srcLength, dst, dstLength, protocol, sportLo, sportHi, dportLo, dportHi,
                mask, value);
    }

    @Test
    void firstMatchEqualsALinearScanOnRandomRuleSets() {
        Random random = new Random(20180117);
        for (int ruleCount : new int[] {1, 7, 64, 65, 300, 1000}) {
            List<AclRule> first = new ArrayList<>();
            List<AclRule> second = new ArrayList<>();
            for (int r = 0; r < ruleCount; r++) {
                (r % 3 == 0 ? second : first).add(randomRule(random));
            }
            List<Acl> acls = List.of(new Acl("a", 4, first), new Acl("b", 9, second));
            List<AclRule> all = new ArrayList<>(first);
            all.addAll(second);
            CompiledRuleSet compiled = new CompiledRuleSet(acls);
            for (int p = 0; p < 5000; p++) {
                AclRule near = all.get(random.nextInt(all.size()));
                int src = random.nextBoolean() ? near.sourceAddress() | random.nextInt(256) : random.nextInt();
                int dst = random.nextBoolean() ? near.destinationAddress() | random.nextInt(256) : random.nextInt();
                int proto = new int[] {1, 6, 17, 47}[random.nextInt(4)];
                int sport = random.nextBoolean() ? near.sourcePortFirst() : random.nextInt(65536);
                int dport = random.nextBoolean() ? near.destinationPortLast() : random.nextInt(65536);
                int flags = random.nextInt(256);
                int expected = -1;
                for (int r = 0; r < all.size(); r++) {
                    if (covers(all.get(r), src, dst, proto, sport, dport, flags)) {
                        expected = r;
                        break;
                    }
                }
                int got = compiled.match(src, dst, proto, sport, dport, flags);
                assertEquals(expected, got, "rules " + ruleCount + " packet " + p);
                if (got >= 0) {
                    boolean inFirst = got < first.size();
                    assertEquals(inFirst ? 4 : 9, compiled.aclIndex(got));
                    assertEquals(inFirst ? got : got - first.size(), compiled.ruleIndex(got));
                    assertEquals(all.get(got).action().code(), compiled.action(got));
                }
            }
        }
    }

    @Test
    void extremesOfTheAddressAndPortSpaces() {
        CompiledRuleSet compiled = new CompiledRuleSet(List.of(new Acl("edges", 0, List.of(
                AclRule.parse("deny src 255.255.255.255/32"),
                AclRule.parse("permit dst 0.0.0.0/32 dport 65535"),
                AclRule.parse("permit+reflect proto 17")))));
        assertEquals(0, compiled.match(-1, 5, 6, 1, 1, 0));
        assertEquals(1, compiled.match(5, 0, 6, 1, 65535, 0));
        assertEquals(2, compiled.match(5, 0, 17, 1, 65534, 0));
        assertEquals(-1, compiled.match(5, 0, 6, 1, 65534, 0));
        assertEquals(-1, new CompiledRuleSet(List.of()).match(1, 2, 6, 3, 4, 0));
    }
}
