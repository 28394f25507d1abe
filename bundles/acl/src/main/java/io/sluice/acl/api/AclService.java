package io.sluice.acl.api;

import java.util.List;

/**
 * The control plane of the ACL: definitions and their bindings to interfaces. Every change compiles the
 * affected interfaces' rule lists and publishes them as one immutable snapshot that the ACL nodes pick up at
 * their next frame; the acl-plugin features are enabled on an interface while it has a non-empty list.
 */
public interface AclService {

    /**
     * Defines or replaces (by name) an ACL; returns its index. An explicit index already held by another
     * ACL is an error naming both.
     */
    int define(Acl acl);

    /** Removes the ACL named {@code name} from the definitions and from every binding; false if unknown. */
    boolean remove(String name);

    /** Every ACL, by index, with the index it was given. */
    List<Acl> acls();

    /**
     * Binds ACL lists to interface {@code interfaceName} (an interface registered later is bound when it
     * appears): {@code input} is evaluated by acl-plugin-in-ip4-fa on packets received there, {@code output}
     * by acl-plugin-out-ip4-fa on packets sent there, each in order. Names not (yet) defined are kept and
     * reported by {@link #bindings()}; until they are defined, they match nothing.
     */
    void bind(String interfaceName, List<String> input, List<String> output);

    /** Removes the bindings of {@code interfaceName}; false if it had none. */
    boolean unbind(String interfaceName);

    List<InterfaceBinding> bindings();

    /**
     * An interface's ACL lists: {@code swIfIndex} -1 while the interface does not exist;
     * {@code inputIndices}/{@code outputIndices} hold -1 for a name not defined.
     */
    record InterfaceBinding(String interfaceName, int swIfIndex, List<String> input, List<Integer> inputIndices,
                            List<String> output, List<Integer> outputIndices) {
    }
}
