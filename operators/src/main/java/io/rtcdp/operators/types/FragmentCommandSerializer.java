package io.rtcdp.operators.types;

import io.rtcdp.udf.identity.FragmentCommand;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Serializer of {@link FragmentCommand}. */
public final class FragmentCommandSerializer extends CodecSerializer<FragmentCommand> {
    private static final long serialVersionUID = 1L;

    public static final FragmentCommandSerializer INSTANCE = new FragmentCommandSerializer();

    private static final FragmentCommand.Kind[] KINDS = FragmentCommand.Kind.values();

    @Override
    public void serialize(FragmentCommand c, DataOutputView out) throws IOException {
        out.writeByte(c.kind().ordinal());
        writeString(c.tenant(), out);
        writeString(c.fragment(), out);
        writeString(c.target(), out);
        if (c.event() == null) {
            out.writeBoolean(false);
        } else {
            out.writeBoolean(true);
            EventSerializer.writeHead(c.event(), out);
            if (c.eventBody() != null) {
                out.write(c.eventBody());
            } else {
                EventSerializer.writeBody(c.event(), out);
            }
        }
        ProfileCommandSerializer.writeIds(c.linked(), out);
        ProfileCommandSerializer.writeIds(c.removed(), out);
        writeNullableString(c.history(), out);
        writeStrings(c.merged(), out);
    }

    @Override
    public FragmentCommand deserialize(DataInputView in) throws IOException {
        FragmentCommand.Kind kind = KINDS[in.readByte()];
        String tenant = readSharedString(in);
        String fragment = readString(in);
        String target = readString(in);
        var event =
                in.readBoolean()
                        ? EventSerializer.readBody(EventSerializer.readHead(in), in)
                        : null;
        var linked = ProfileCommandSerializer.readIds(in);
        var removed = ProfileCommandSerializer.readIds(in);
        String history = readNullableString(in);
        java.util.List<String> merged = readStrings(in);
        return new FragmentCommand(
                kind, tenant, fragment, target, event, linked, removed, history, merged);
    }

    @Override
    public VersionedSnapshot<FragmentCommand> snapshotConfiguration() {
        return new Snapshot();
    }

    /**
     * Snapshot of the stateless singleton. Version 4 embeds events of {@link EventSerializer}
     * version 4 (with order lines), version 5 those of version 5 (with the text signal), version 6
     * adds the fragments a route's merges moved, version 7 writes the event as its head and then
     * its body ({@link EventSerializer#writeHead}, {@link EventSerializer#writeBody}: the identity
     * stage passes the body on as the bytes it got); records between operators only, never state,
     * so older versions are not read.
     */
    public static final class Snapshot extends VersionedSnapshot<FragmentCommand> {
        public Snapshot() {
            super(INSTANCE, 7, java.util.Map.of());
        }
    }
}
