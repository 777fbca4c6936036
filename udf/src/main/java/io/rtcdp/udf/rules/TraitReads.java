package io.rtcdp.udf.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which trait keys a condition reads, so that a rule set reads only the traits it declares (its
 * {@code traits} list, docs/contract.md §6): the job keeps no other trait, so a condition on an
 * undeclared one could never hold, and a declared list is what a privacy review reads.
 *
 * <p>A condition reads a trait by a constant key: {@code traits.k}, {@code has(traits.k)}, {@code
 * traits["k"]} or {@code "k" in traits}; each such key must be declared. Other uses of {@code
 * traits} (a macro over the map, a key computed at run time) see only the declared traits, which
 * are all the job keeps.
 */
final class TraitReads {
    private TraitReads() {}

    /** Adds a problem naming the undeclared keys the condition reads by a constant key. */
    static void check(
            CelAbstractSyntaxTree ast, Set<String> declared, String where, List<String> problems) {
        if (ast == null) {
            return;
        }
        Set<String> undeclared = new TreeSet<>();
        for (CelNavigableExpr n :
                (Iterable<CelNavigableExpr>)
                        CelNavigableAst.fromAst(ast).getRoot().allNodes()::iterator) {
            if (n.getKind() != CelExpr.ExprKind.Kind.IDENT
                    || !n.expr().ident().name().equals("traits")) {
                continue;
            }
            key(n).filter(k -> !declared.contains(k)).ifPresent(undeclared::add);
        }
        if (!undeclared.isEmpty()) {
            problems.add(
                    where
                            + "reads "
                            + (undeclared.size() == 1 ? "trait " : "traits ")
                            + String.join(
                                    ", ", undeclared.stream().map(k -> "'" + k + "'").toList())
                            + ", not in the rule set's traits list");
        }
    }

    /** The constant key by which the {@code traits} identifier {@code n} is read, if any. */
    private static Optional<String> key(CelNavigableExpr n) {
        Optional<CelNavigableExpr> parent = n.parent();
        if (parent.isEmpty()) {
            return Optional.empty();
        }
        CelExpr p = parent.get().expr();
        switch (p.exprKind().getKind()) {
            case SELECT:
                return Optional.of(p.select().field());
            case CALL:
                {
                    String fn = p.call().function();
                    List<CelExpr> args = p.call().args();
                    if (fn.equals("_[_]") && args.size() == 2 && args.get(0).id() == n.id()) {
                        return constantString(args.get(1));
                    }
                    if (fn.equals("@in") && args.size() == 2 && args.get(1).id() == n.id()) {
                        return constantString(args.get(0));
                    }
                    return Optional.empty();
                }
            default:
                return Optional.empty();
        }
    }

    private static Optional<String> constantString(CelExpr e) {
        if (e.exprKind().getKind() == CelExpr.ExprKind.Kind.CONSTANT
                && e.constant().getKind() == CelConstant.Kind.STRING_VALUE) {
            return Optional.of(e.constant().stringValue());
        }
        return Optional.empty();
    }
}
