package io.sluice.acl.internal;

/**
 * What the ACL nodes evaluate, by sw_if_index: the compiled input and output lists. Immutable; the control
 * plane publishes a new one for every change and the nodes read the current one once per frame. A null
 * entry means no ACL is bound on that side of that interface.
 */
final class AclPolicy {
    static final AclPolicy EMPTY = new AclPolicy(new CompiledRuleSet[0], new CompiledRuleSet[0]);

    private final CompiledRuleSet[] inputBySw;
    private final CompiledRuleSet[] outputBySw;

    AclPolicy(CompiledRuleSet[] inputBySw, CompiledRuleSet[] outputBySw) {
        this.inputBySw = inputBySw;
        this.outputBySw = outputBySw;
    }

    CompiledRuleSet input(int swIfIndex) {
        return swIfIndex >= 0 && swIfIndex < inputBySw.length ? inputBySw[swIfIndex] : null;
    }

    CompiledRuleSet output(int swIfIndex) {
        return swIfIndex >= 0 && swIfIndex < outputBySw.length ? outputBySw[swIfIndex] : null;
    }

    CompiledRuleSet ruleSet(boolean input, int swIfIndex) {
        return input ? input(swIfIndex) : output(swIfIndex);
    }
}
