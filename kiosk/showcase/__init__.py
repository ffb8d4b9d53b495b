"""What `kiosk demo --headless` shows besides the journey (`scenes`), and the gallery page
built from its pictures (`gallery`)."""
