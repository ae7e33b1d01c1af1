from leadscribe.audio.decode import Audio, decode_audio

__all__ = ["Audio", "decode_audio"]
