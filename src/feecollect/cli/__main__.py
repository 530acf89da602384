from feecollect.cli import main

main()
