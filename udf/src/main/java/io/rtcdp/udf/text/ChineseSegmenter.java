package io.rtcdp.udf.text;

import com.hankcs.hanlp.HanLP;
import com.hankcs.hanlp.seg.Segment;
import com.hankcs.hanlp.seg.common.Term;
import com.hankcs.hanlp.utility.Predefine;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

/**
 * Chinese word segmentation with HanLP portable, whose dictionaries are read from its own jar
 * (nothing is downloaded or written). Loaded on the first Chinese text (about a quarter of a
 * second); its logging is limited to severe errors. Segments are thread-safe.
 */
final class ChineseSegmenter {
    private ChineseSegmenter() {}

    private static final class Holder {
        static final Segment SEGMENT = create();

        private static Segment create() {
            Predefine.logger.setLevel(Level.SEVERE);
            return HanLP.newSegment()
                    .enablePartOfSpeechTagging(false)
                    .enableCustomDictionary(true)
                    .enableOrganizationRecognize(false)
                    .enablePlaceRecognize(false);
        }
    }

    /** Loads the dictionaries now rather than on the first Chinese text. */
    static void warmUp() {
        segment("预热");
    }

    /** The words of a run of Han characters; one word a character if HanLP fails. */
    static List<String> segment(String han) {
        List<String> words = new ArrayList<>();
        try {
            for (Term t : Holder.SEGMENT.seg(han)) {
                String w = t.word.strip();
                if (!w.isEmpty()) {
                    words.add(w);
                }
            }
            return words;
        } catch (RuntimeException | LinkageError e) {
            words.clear();
            han.codePoints().forEach(c -> words.add(new String(Character.toChars(c))));
            return words;
        }
    }
}
